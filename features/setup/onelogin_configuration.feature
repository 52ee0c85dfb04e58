@setup
Feature: The Wrike app in OneLogin is configured with the SCIM URL and the token
  Step 4 of the set-up: on the Configuration tab of the Wrike app, the SCIM Base URL is the
  SCIM URL from Wrike and the SCIM Bearer Token is the token from Wrike. Enable next to API
  status runs OneLogin's connection test; it provisions nobody. On the Provisioning tab, Enable
  provisioning and Save start provisioning for the users assigned to the app.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"

  @smoke
  Scenario: The connection test succeeds with the account's SCIM URL and a valid token
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Enabled"

  Scenario: The connection test provisions nobody
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is disabled for the Wrike app
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Enabled"
    And Wrike shows "ada@acme.com" as absent
    And the System Log shows no provisioning attempt for "ada@acme.com"

  Scenario: The connection test fails with a wrong token
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a wrong token
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Failed"
    And the API connection error mentions "401"

  @reference_only
  Scenario: The connection test fails with a revoked token
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the token issued by "Wanda Admin" has been revoked in Wrike
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Failed"
    And the API connection error mentions "401"

  @reference_only
  Scenario Outline: The connection test fails when Wrike cannot answer
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And Wrike fails every SCIM request with "<fault>"
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Failed"
    And the API connection error mentions "<mention>"

    Examples:
      | case        | fault                     | mention    |
      | unavailable | 503 Service Unavailable   | 503        |
      | unreachable | connection refused        | connection |
      | rate_limit  | 429 Too Many Requests     | 429        |

  Scenario: Enabling provisioning and saving provisions the users already assigned
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is disabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin enables provisioning for the Wrike app and saves
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  Scenario: A freshly configured Wrike app asks for approval before creating a user
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And a OneLogin user "ada@acme.com"
    When the OneLogin admin enables provisioning for the Wrike app and saves
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then there is a pending Create user task for "ada@acme.com"
    And Wrike shows "ada@acme.com" as absent

  Scenario: API status not enabled
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin" but API status was never enabled
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the API status of the Wrike app is "Disabled"
    And Wrike shows "ada@acme.com" as absent
    And the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "API Status is Disabled"

  Scenario: Clicking Enable afterwards lets the failed creation be retried
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin" but API status was never enabled
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin enables the API connection of the Wrike app
    And the OneLogin admin retries the failed task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"
