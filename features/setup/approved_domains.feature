@setup
Feature: Only users from approved domains are provisioned to Wrike
  Step 1 of the set-up: the Wrike account lists its approved domains. OneLogin users whose
  login email is at an approved domain are provisioned; anyone else is refused by Wrike, and
  the refusal names the domain and what to change.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  Scenario: A user from an approved domain is provisioned
    Given a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  @wrike_approved_domains
  Scenario: A user from a domain that is not approved is not provisioned
    # ada, at the approved domain and assigned the same way, is the control: only the domain
    # tells the two apart, so a provider that refuses every create fails this scenario.
    Given a OneLogin user "eve@example.org"
    And a OneLogin user "ada@acme.com"
    When "eve@example.org" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "eve@example.org" as absent
    And the System Log shows "User creation failed in app" for "eve@example.org"
    And the provisioning state of "eve@example.org" in the Wrike app is "Failed"
    And Wrike shows "ada@acme.com" as active

  @reference_only
  Scenario: Users from every approved domain are provisioned
    Given "acme.io" is an approved domain in Wrike
    And a OneLogin user "ada@acme.com"
    And a OneLogin user "bob@acme.io"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "bob@acme.io" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And Wrike shows "bob@acme.io" as active

  @reference_only
  Scenario: Approving the domain and retrying provisions the refused user
    Given a OneLogin user "eve@example.org"
    And "eve@example.org" is assigned the Wrike app through the role "Engineering"
    And "example.org" is an approved domain in Wrike
    When the OneLogin admin retries the failed task for "eve@example.org"
    Then Wrike shows "eve@example.org" as active
    And the System Log shows "User created in app" for "eve@example.org"
    And the provisioning state of "eve@example.org" in the Wrike app is "Provisioned"
