@provisioning
Feature: OneLogin users assigned the Wrike app are provisioned to Wrike automatically
  A OneLogin user gets the Wrike app through a role (the user joins a role holding the app, or
  the app is added to the user's role) or through a direct login. With provisioning enabled,
  OneLogin then creates the user in Wrike, or links the Wrike user that already has the same
  email, and shows the result in the System Log.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  @smoke
  Scenario: A user assigned the Wrike app through a role is provisioned
    Given a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"

  Scenario: A user assigned the Wrike app directly is provisioned
    Given a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app directly
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  Scenario: Adding the Wrike app to a role provisions the role's members
    Given a OneLogin user "ada@acme.com"
    And a OneLogin user "bob@acme.com"
    And "ada@acme.com" is in the OneLogin role "Engineering"
    And "bob@acme.com" is in the OneLogin role "Engineering"
    When the Wrike app is added to the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And Wrike shows "bob@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"
    And the System Log shows "User created in app" for "bob@acme.com"

  Scenario: A OneLogin user without the Wrike app is not provisioned
    Given a OneLogin user "ada@acme.com"
    And "ada@acme.com" is in the OneLogin role "Sales"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Engineer"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows no provisioning attempt for "ada@acme.com"

  @reference_only
  Scenario: A Wrike user with the same email is linked, not created twice
    Given Wrike already has an active user "ada@acme.com"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User linked in app" for "ada@acme.com"
    And the System Log does not show "User created in app" for "ada@acme.com"
    And Wrike shows "ada@acme.com" as active
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"

  @reference_only @both_update_methods
  Scenario: A linked Wrike user gets the later changes made in OneLogin
    Given Wrike already has an active user "ada@acme.com"
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute | value    |
      | Job title | Engineer |
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    Then the System Log shows "User linked in app" for "ada@acme.com"
    And the System Log shows "User updated in app" for "ada@acme.com"
    And the System Log does not show "User created in app" for "ada@acme.com"
    And the Wrike user "ada@acme.com" has "Job title" set to "Lead Engineer"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"

  @reference_only
  Scenario Outline: A Wrike user whose email differs only in letter case is linked, not created twice
    Given Wrike already has an active user "<email in Wrike>"
    And a OneLogin user "<email in OneLogin>"
    When "<email in OneLogin>" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User linked in app" for "<email in OneLogin>"
    And the System Log does not show "User created in app" for "<email in OneLogin>"
    And the System Log does not show "User creation failed in app" for "<email in OneLogin>"
    And Wrike shows "<email in Wrike>" as active

    Examples:
      | case                 | email in Wrike        | email in OneLogin     |
      | capitals_in_wrike    | Ada.Lovelace@Acme.com | ada.lovelace@acme.com |
      | capitals_in_onelogin | ada.lovelace@acme.com | Ada.Lovelace@ACME.com |
