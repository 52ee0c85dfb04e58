@setup @reference_only
Feature: The SCIM URL is shown only to members who may configure advanced security settings
  Step 2 of the set-up: in Wrike, Apps & Integrations, Configure next to OneLogin, the SCIM tab
  shows the account's SCIM URL at the bottom of the pop-up. Setting up SCIM needs the
  "Configure advanced security settings" right in Wrike, so only members holding it see the URL.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike

  Scenario: A member with the right to configure advanced security settings sees the SCIM URL
    Given a Wrike admin "Wanda Admin" with only the right "Configure advanced security settings"
    When "Wanda Admin" opens the SCIM tab of the OneLogin integration in Wrike
    Then "Wanda Admin" sees the account's SCIM URL

  Scenario: An admin without the right to configure advanced security settings does not see the SCIM URL
    Given a Wrike admin "Gary Admin" with only the right "Grant/revoke admin rights"
    When "Gary Admin" opens the SCIM tab of the OneLogin integration in Wrike
    Then "Gary Admin" does not see the account's SCIM URL

  Scenario: A regular member does not see the SCIM URL
    Given a Wrike member "Rita Member" without admin rights
    When "Rita Member" opens the SCIM tab of the OneLogin integration in Wrike
    Then "Rita Member" does not see the account's SCIM URL

  Scenario: The SCIM URL from the SCIM tab is the one OneLogin needs
    Given a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    When "Wanda Admin" opens the SCIM tab of the OneLogin integration in Wrike
    And "Wanda Admin" creates the API app "OneLogin SCIM"
    And "Wanda Admin" obtains a token for the API app "OneLogin SCIM" with the correct password
    And the OneLogin admin saves the SCIM URL and the token shown to "Wanda Admin" in the Wrike app
    And the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Enabled"
