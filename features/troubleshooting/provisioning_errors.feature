@troubleshooting
Feature: A user not provisioned or deprovisioned, and an error in the System Log
  The article's second check: if the System Log lists an error for the user, its details say
  what went wrong, and they are what Support needs. Each cause below leaves a failed attempt
  whose error details name the cause; the user's state in the Wrike app is Failed until the
  cause is fixed and the task retried.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  @reference_only @smoke
  Scenario: A user from a domain that is not approved gets an error naming the domain
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And a OneLogin user "eve@example.org"
    When "eve@example.org" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "eve@example.org"
    And the error details logged for "eve@example.org" mention "example.org"
    And the error details logged for "eve@example.org" mention "approved domain"
    And the provisioning state of "eve@example.org" in the Wrike app is "Failed"
    And Wrike shows "eve@example.org" as absent

  Scenario: A wrong token gets an error saying Wrike did not accept the credentials
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a wrong token
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "401"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only
  Scenario: A revoked token gets an error saying Wrike did not accept the credentials
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the token issued by "Wanda Admin" has been revoked in Wrike
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "401"
    And Wrike shows "ada@acme.com" as absent

  @wrike_unknown_url_404
  Scenario: A wrong SCIM URL gets an error saying the endpoint was not found
    Given the Wrike app in OneLogin is configured with a wrong SCIM URL and a token issued by "Wanda Admin"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "404"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  Scenario: A wrong SCIM URL fails the creation and creates nobody in the account
    Given the Wrike app in OneLogin is configured with a wrong SCIM URL and a token issued by "Wanda Admin"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the System Log keeps the request sent to Wrike and Wrike's answer for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"
    And Wrike shows "ada@acme.com" as absent

  @reference_only
  Scenario: A plan without SCIM gets an error naming the plan
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the Wrike account is moved to the "Business" plan
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Business"
    And Wrike shows "ada@acme.com" as absent

  @reference_only @both_update_methods
  Scenario: A token from an admin without the grant/revoke admin right gets an error naming the right
    Given a Wrike admin "Tom Admin" with only the right "Configure advanced security settings"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Tom Admin"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is a Wrike account admin
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "CTO"
    Then the System Log shows "User update failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Grant/revoke admin rights"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only
  Scenario Outline: Wrike being unavailable gets an error saying so
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And Wrike fails every SCIM request with "<fault>"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "<mention>"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

    Examples:
      | case         | fault                     | mention    |
      | unavailable  | 503 Service Unavailable   | 503        |
      | server_error | 500 Internal Server Error | 500        |
      | unreachable  | connection refused        | connection |

  @reference_only
  Scenario: Rate limiting by Wrike gets an error saying so
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And Wrike fails every SCIM request with "429 Too Many Requests"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "429"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only
  Scenario: An unknown Wrike user type gets an error naming the value
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute       | value |
      | Wrike user type | Guest |
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Guest"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only
  Scenario Outline: Once Wrike is back, retrying the failed task provisions the user
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And Wrike fails every SCIM request with "<fault>"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When Wrike recovers
    And the OneLogin admin retries the failed task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"

    Examples:
      | case         | fault                   |
      | unavailable  | 503 Service Unavailable |
      | unreachable  | connection refused      |
      | rate_limited | 429 Too Many Requests   |

  @reference_only
  Scenario: A deletion Wrike could not take is listed with its error
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the deprovision action is "Delete"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And Wrike fails every SCIM request with "503 Service Unavailable"
    When "ada@acme.com" is removed from the role "Engineering"
    Then the System Log shows "User deletion failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "503"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only @both_update_methods
  Scenario: A suspension Wrike could not take is listed with its error
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the suspension action is "Suspend"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And Wrike fails every SCIM request with "503 Service Unavailable"
    When "ada@acme.com" is suspended in OneLogin
    Then the System Log shows "User suspension failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "503"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  @reference_only @both_update_methods
  Scenario: A reactivation Wrike could not take is listed with its error
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the suspension action is "Suspend"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is suspended in OneLogin
    And Wrike fails every SCIM request with "503 Service Unavailable"
    When "ada@acme.com" is reactivated in OneLogin
    Then the System Log shows "User reactivation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "503"

  @reference_only
  Scenario: The error details keep what was sent to Wrike and what Wrike answered, without the token
    Given the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And the token issued by "Wanda Admin" has been revoked in Wrike
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User creation failed in app" for "ada@acme.com"
    And the System Log keeps the request sent to Wrike and Wrike's answer for "ada@acme.com"
    And the System Log does not reveal the SCIM Bearer Token
