@sso
Feature: SAML SSO into Wrike through the Wrike app in OneLogin
  The article recommends setting up SAML SSO to Wrike through OneLogin first; OneLogin's Wrike
  connector is a SAML and SCIM app. A user provisioned over SCIM logs in to Wrike through
  OneLogin, from Wrike's login page (SP-initiated: enter the email, Next, log in at OneLogin)
  or from the OneLogin portal (IdP-initiated). In the optional mode Wrike members may still
  use their password; in the enforced mode an SSO user must use SSO.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And SAML SSO through the Wrike app in OneLogin is set up in Wrike in "optional" mode

  @smoke
  Scenario: A provisioned user logs in to Wrike from Wrike's login page through OneLogin
    Given a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" logs in to Wrike through SSO
    Then "ada@acme.com" is signed in to Wrike
    And the System Log shows an SSO login of "ada@acme.com" to the Wrike app

  Scenario: A provisioned user opens Wrike from the OneLogin portal
    Given a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app directly
    When "ada@acme.com" opens Wrike from the OneLogin portal
    Then "ada@acme.com" is signed in to Wrike
    And the System Log shows an SSO login of "ada@acme.com" to the Wrike app

  Scenario Outline: A Wrike member's password login depends on the SSO mode
    Given Wrike's SSO mode is "<mode>"
    When "Wanda Admin" logs in to Wrike with a password
    Then <outcome>

    Examples:
      | mode     | outcome                                                              |
      | optional | "Wanda Admin" is signed in to Wrike                                  |
      | enforced | Wrike refuses the login of "Wanda Admin" with "password_login_enforced" |

  Scenario: Only a member with the right to configure advanced security settings opens the SSO settings
    Given a Wrike admin "Olga Admin" without the right "Configure advanced security settings"
    When "Wanda Admin" opens the SSO settings in Wrike
    And "Olga Admin" opens the SSO settings in Wrike
    Then "Wanda Admin" sees Wrike's SP metadata in the SSO settings
    And "Olga Admin" is refused the SSO settings
