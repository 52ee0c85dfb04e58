@sso @troubleshooting
Feature: Provisioned but cannot log in: what Wrike's refusal page and OneLogin's System Log show
  The most common ticket after provisioning is "the user is in Wrike but cannot log in". Each
  cause below ends on a refusal page that names its reason (docs/sso.md's reason codes), at
  Wrike or at OneLogin, and leaves its trace where support looks: Wrike's SSO attempts and
  OneLogin's System Log. When Wrike refuses, OneLogin's System Log shows a successful login
  to the app: OneLogin issued the assertion, and the cause is on Wrike's side.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And SAML SSO through the Wrike app in OneLogin is set up in Wrike in "optional" mode
    And a OneLogin user "ada@acme.com"

  Scenario: A user deactivated in Wrike is refused by Wrike
    Given "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin deactivates "ada@acme.com" in Wrike
    When "ada@acme.com" logs in to Wrike through SSO
    Then Wrike refuses the login of "ada@acme.com" with "user_deactivated"
    And the System Log shows an SSO login of "ada@acme.com" to the Wrike app

  Scenario: A user who is not assigned the Wrike app is refused by OneLogin
    Given Wrike already has an active user "ada@acme.com"
    When "ada@acme.com" logs in to Wrike through SSO
    Then OneLogin refuses the login of "ada@acme.com" with "app_not_assigned"
    And the System Log shows a refused SSO login of "ada@acme.com" with "app_not_assigned"

  Scenario: After an email change that SCIM did not carry, the NameID is not the Wrike login
    Given "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And provisioning is disabled for the Wrike app
    When the OneLogin admin changes "Primary email" of "ada@acme.com" to "ada.lovelace@acme.com"
    And "ada@acme.com" opens Wrike from the OneLogin portal
    Then Wrike refuses the login of "ada@acme.com" with "unknown_user"
    And OneLogin sent "ada.lovelace@acme.com" as the NameID of "ada@acme.com"
    And Wrike shows "ada@acme.com" as active

  Scenario: After OneLogin's signing certificate is rotated, Wrike refuses until it holds the new one
    Given "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the OneLogin admin rotates the signing certificate of the Wrike app
    When "ada@acme.com" logs in to Wrike through SSO
    Then Wrike refuses the login of "ada@acme.com" with "certificate_mismatch"
    And the System Log shows an SSO login of "ada@acme.com" to the Wrike app
    When the Wrike admin pastes the current IdP metadata of the Wrike app into Wrike
    And "ada@acme.com" logs in to Wrike through SSO
    Then "ada@acme.com" is signed in to Wrike

  Scenario Outline: With OneLogin's clock off, the assertion is outside its time window
    Given "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And OneLogin's clock is "<minutes>" minutes <direction> Wrike's
    When "ada@acme.com" logs in to Wrike through SSO
    Then Wrike refuses the login of "ada@acme.com" with "<reason>"

    Examples:
      | minutes | direction | reason        |
      | 30      | behind    | expired       |
      | 30      | ahead of  | not_yet_valid |

  Scenario: An audience that is not Wrike's SP entity id is refused by Wrike
    Given "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the SAML audience of the Wrike app in OneLogin is "https://www.wrike.com/saml/other"
    When "ada@acme.com" opens Wrike from the OneLogin portal
    Then Wrike refuses the login of "ada@acme.com" with "audience_mismatch"

  Scenario: A member whose domain is no longer approved is refused by Wrike
    Given "acme.io" is an approved domain in Wrike
    And a OneLogin user "bob@acme.io"
    And "bob@acme.io" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin removes "acme.io" from the approved domains
    When "bob@acme.io" opens Wrike from the OneLogin portal
    Then Wrike refuses the login of "bob@acme.io" with "domain_not_approved"
