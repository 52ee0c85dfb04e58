@deprovisioning
Feature: Wrike users are deactivated when they are suspended in OneLogin, and reactivated after
  "When user accounts are suspended in OneLogin, perform the following action" decides what a
  OneLogin suspension does in Wrike: Suspend deactivates the Wrike user, who stays in Wrike
  with their attributes; Do Nothing leaves the Wrike user active and logs a warning. When the
  suspension ends, the Wrike user is reactivated.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute | value    |
      | Job title | Engineer |
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"

  @smoke @both_update_methods
  Scenario: A user suspended in OneLogin is deactivated in Wrike
    Given the suspension action is "Suspend"
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as deactivated
    And the System Log shows "User suspended in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Suspended"

  @both_update_methods
  Scenario: A deactivated user stays in Wrike with their attributes
    Given the suspension action is "Suspend"
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as deactivated
    And the Wrike user "ada@acme.com" has "Job title" set to "Engineer"

  Scenario Outline: The suspension action decides what a OneLogin suspension does in Wrike
    Given the suspension action is "<action>"
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as <status>
    And the System Log shows "<event>" for "ada@acme.com"

    Examples:
      | action     | status      | event                                               |
      | Suspend    | deactivated | User suspended in app                               |
      | Do Nothing | active      | Provisioning do nothing warning |

  @both_update_methods
  Scenario: A user reactivated in OneLogin is reactivated in Wrike
    Given the suspension action is "Suspend"
    And "ada@acme.com" is suspended in OneLogin
    When "ada@acme.com" is reactivated in OneLogin
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User reactivated in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"

  @reference_only @both_update_methods
  Scenario: A linked Wrike user is deactivated when suspended in OneLogin
    Given the suspension action is "Suspend"
    And Wrike already has an active user "bob@acme.com"
    And a OneLogin user "bob@acme.com"
    And "bob@acme.com" is assigned the Wrike app through the role "Engineering"
    When "bob@acme.com" is suspended in OneLogin
    Then the System Log shows "User linked in app" for "bob@acme.com"
    And the System Log shows "User suspended in app" for "bob@acme.com"
    And Wrike shows "bob@acme.com" as deactivated
    And the provisioning state of "bob@acme.com" in the Wrike app is "Suspended"
