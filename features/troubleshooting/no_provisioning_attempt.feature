@troubleshooting
Feature: A user not provisioned or deprovisioned, and no attempt in the System Log
  The article's first check: if the System Log lists no SCIM provisioning attempt for the user,
  OneLogin never tried. Either the user is not assigned the Wrike app, or provisioning is not
  enabled for it. Fixing the assignment or the setting provisions the user.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the Wrike app requires no admin approval

  @smoke
  Scenario: A user not assigned the Wrike app is not provisioned and no attempt is listed
    Given provisioning is enabled for the Wrike app
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is in the OneLogin role "Sales"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Engineer"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows no provisioning attempt for "ada@acme.com"

  Scenario: Assigning the Wrike app to the user's role provisions the user
    Given provisioning is enabled for the Wrike app
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is in the OneLogin role "Sales"
    When the Wrike app is added to the role "Sales"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  Scenario: With provisioning disabled an assigned user is not provisioned and no attempt is listed
    Given provisioning is disabled for the Wrike app
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows no provisioning attempt for "ada@acme.com"

  Scenario: Enabling provisioning provisions the user who had no attempt listed
    Given provisioning is disabled for the Wrike app
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin enables provisioning for the Wrike app and saves
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  @reference_only
  Scenario: A Wrike user never assigned the Wrike app in OneLogin is not deprovisioned and no attempt is listed
    Given provisioning is enabled for the Wrike app
    And the deprovision action is "Delete"
    And Wrike already has an active user "ada@acme.com"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is deleted in OneLogin
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows no provisioning attempt for "ada@acme.com"

  @reference_only
  Scenario: With provisioning disabled a user is not deprovisioned and no attempt is listed
    Given provisioning is disabled for the Wrike app
    And the deprovision action is "Delete"
    And the suspension action is "Suspend"
    And Wrike already has an active user "ada@acme.com"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows no provisioning attempt for "ada@acme.com"
