@approvals
Feature: Admin approval before Create user, Update user and Delete user
  On the Provisioning tab, "Require admin approval before this action is performed" can be
  ticked for Create user, Update user and Delete user. A ticked action waits as a pending task
  and nothing reaches Wrike until a OneLogin admin decides: approve runs the task at once, deny
  drops it. Both decisions are logged.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute | value    |
      | Job title | Engineer |

  Scenario: A Create user approval holds the new user until an admin decides
    Given the Wrike app requires admin approval to Create user
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then there is a pending Create user task for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Pending"
    And Wrike shows "ada@acme.com" as absent
    And the System Log shows no provisioning attempt for "ada@acme.com"

  @smoke
  Scenario: Approving the pending Create user task provisions the user
    Given the Wrike app requires admin approval to Create user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin approves the pending Create user task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User app request approved" for "ada@acme.com"
    And the System Log shows "User created in app" for "ada@acme.com"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"
    And there is no pending task for "ada@acme.com"

  Scenario: Denying the pending Create user task provisions nobody
    Given the Wrike app requires admin approval to Create user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin denies the pending Create user task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User app request denied" for "ada@acme.com"
    And the System Log does not show "User created in app" for "ada@acme.com"
    And there is no pending task for "ada@acme.com"

  Scenario: An Update user approval holds the change until an admin decides
    Given the Wrike app requires admin approval to Update user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    Then there is a pending Update user task for "ada@acme.com"
    And the Wrike user "ada@acme.com" has "Job title" set to "Engineer"

  @both_update_methods
  Scenario: Approving the pending Update user task updates the user in Wrike
    Given the Wrike app requires admin approval to Update user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    And the OneLogin admin approves the pending Update user task for "ada@acme.com"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Lead Engineer"
    And the System Log shows "User app request approved" for "ada@acme.com"
    And the System Log shows "User updated in app" for "ada@acme.com"

  Scenario: Denying the pending Update user task leaves the user unchanged in Wrike
    Given the Wrike app requires admin approval to Update user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    And the OneLogin admin denies the pending Update user task for "ada@acme.com"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Engineer"
    And the System Log shows "User app request denied" for "ada@acme.com"
    And the System Log does not show "User updated in app" for "ada@acme.com"
    And there is no pending task for "ada@acme.com"

  Scenario: A Delete user approval holds the deletion until an admin decides
    Given the Wrike app requires admin approval to Delete user
    And the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is removed from the role "Engineering"
    Then there is a pending Delete user task for "ada@acme.com"
    And Wrike shows "ada@acme.com" as active

  Scenario: Approving the pending Delete user task deletes the user in Wrike
    Given the Wrike app requires admin approval to Delete user
    And the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is removed from the role "Engineering"
    And the OneLogin admin approves the pending Delete user task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User app request approved" for "ada@acme.com"
    And the System Log shows "User deleted in app" for "ada@acme.com"

  Scenario: Denying the pending Delete user task keeps the user in Wrike
    Given the Wrike app requires admin approval to Delete user
    And the deprovision action is "Delete"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is removed from the role "Engineering"
    And the OneLogin admin denies the pending Delete user task for "ada@acme.com"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User app request denied" for "ada@acme.com"
    And the System Log does not show "User deleted in app" for "ada@acme.com"
    And there is no pending task for "ada@acme.com"

  @both_update_methods
  Scenario: Only the ticked actions wait for approval
    Given the Wrike app requires admin approval to Create user
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the OneLogin admin approves the pending Create user task for "ada@acme.com"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Lead Engineer"
    And there is no pending task for "ada@acme.com"
