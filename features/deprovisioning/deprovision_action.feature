@deprovisioning
Feature: Deleting a user or removing app access follows the deprovision action
  "When users are deleted in OneLogin, or the user's app access is removed, perform the below
  action" offers Delete, Suspend and Do Nothing. Any loss of access counts: leaving the role,
  the role losing the Wrike app, or the direct login being removed.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"

  Scenario Outline: Removing the user's app access follows the deprovision action
    Given the deprovision action is "<action>"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is removed from the role "Engineering"
    Then Wrike shows "ada@acme.com" as <status>
    And the System Log shows "<event>" for "ada@acme.com"

    Examples:
      | action     | status      | event                                               |
      | Delete     | absent      | User deleted in app                                 |
      | Suspend    | deactivated | User suspended in app                               |
      | Do Nothing | active      | Provisioning do nothing warning |

  Scenario Outline: Deleting the user in OneLogin follows the deprovision action
    Given the deprovision action is "<action>"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is deleted in OneLogin
    Then Wrike shows "ada@acme.com" as <status>
    And the System Log shows "<event>" for "ada@acme.com"

    Examples:
      | action     | status      | event                                               |
      | Delete     | absent      | User deleted in app                                 |
      | Suspend    | deactivated | User suspended in app                               |
      | Do Nothing | active      | Provisioning do nothing warning |

  Scenario: Removing the Wrike app from the role deprovisions its members
    Given the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the Wrike app is removed from the role "Engineering"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User deleted in app" for "ada@acme.com"

  Scenario: Removing a direct Wrike app login deprovisions the user
    Given the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app directly
    When the direct Wrike app login of "ada@acme.com" is removed
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User deleted in app" for "ada@acme.com"

  @both_update_methods
  Scenario: A user suspended by the deprovision action is reactivated when assigned again
    Given the deprovision action is "Suspend"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is removed from the role "Engineering"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active

  Scenario: A user deleted by the deprovision action is created again when assigned again
    Given the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is removed from the role "Engineering"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

  @reference_only
  Scenario: A user already deleted in Wrike counts as deleted when OneLogin deletes them
    Given the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin deletes "ada@acme.com" in Wrike
    When "ada@acme.com" is removed from the role "Engineering"
    Then the System Log shows "User deleted in app" for "ada@acme.com"
    And the System Log shows Wrike's answer "404" for "ada@acme.com"
    And the System Log does not show "User deletion failed in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Deleted"
    And Wrike shows "ada@acme.com" as absent
