@setup @reference_only
Feature: The API token is obtained with the member's password and shown only once
  Step 3 of the set-up: an API app named in Wrike (we suggest "OneLogin SCIM"), then Create
  Token, the member's password and Obtain token. Wrike shows the token once; it is the SCIM
  Bearer Token OneLogin needs, and it carries the rights of the member who issued it.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"

  Scenario: A token is obtained with the member's password
    When "Wanda Admin" creates the API app "OneLogin SCIM"
    And "Wanda Admin" obtains a token for the API app "OneLogin SCIM" with the correct password
    Then Wrike shows the token to "Wanda Admin"

  Scenario: A wrong password obtains no token
    When "Wanda Admin" creates the API app "OneLogin SCIM"
    And "Wanda Admin" obtains a token for the API app "OneLogin SCIM" with a wrong password
    Then Wrike refuses to issue a token and says the password is wrong

  Scenario: The token is shown only once
    When "Wanda Admin" creates the API app "OneLogin SCIM"
    And "Wanda Admin" obtains a token for the API app "OneLogin SCIM" with the correct password
    And "Wanda Admin" opens the API app "OneLogin SCIM" again
    Then Wrike does not show the token again

  Scenario: The saved token lets OneLogin provision users
    Given a OneLogin user "ada@acme.com"
    And the Wrike app requires no admin approval
    When "Wanda Admin" opens the SCIM tab of the OneLogin integration in Wrike
    And "Wanda Admin" creates the API app "OneLogin SCIM"
    And "Wanda Admin" obtains a token for the API app "OneLogin SCIM" with the correct password
    And the OneLogin admin saves the SCIM URL and the token shown to "Wanda Admin" in the Wrike app
    And the OneLogin admin enables the API connection of the Wrike app
    And the OneLogin admin enables provisioning for the Wrike app and saves
    And "ada@acme.com" is assigned the Wrike app directly
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"
