@sso
Feature: Just-in-time provisioning on the first SSO login, linked by SCIM later
  With just-in-time provisioning on, Wrike creates the member the first time a user of an
  approved domain logs in through SSO, billable from that login. When OneLogin provisions the
  same user later, it finds the member by userName and links it: one member, not two.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is disabled for the Wrike app
    And the Wrike app requires no admin approval
    And SAML SSO through the Wrike app in OneLogin is set up in Wrike in "optional" mode

  Scenario: The first SSO login creates the member, and SCIM links it later
    Given just-in-time provisioning is on in Wrike
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" opens Wrike from the OneLogin portal
    Then "ada@acme.com" is signed in to Wrike
    And Wrike shows "ada@acme.com" as active
    And the Wrike billing ledger shows "ada@acme.com" as billable from the SSO login
    When the OneLogin admin enables provisioning for the Wrike app and saves
    Then the System Log shows "User linked in app" for "ada@acme.com"
    And Wrike has one member "ada@acme.com"

  Scenario: Without just-in-time provisioning an unprovisioned user is refused by Wrike
    Given a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" opens Wrike from the OneLogin portal
    Then Wrike refuses the login of "ada@acme.com" with "unknown_user"
    And Wrike shows "ada@acme.com" as absent
