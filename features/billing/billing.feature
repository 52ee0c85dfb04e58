@billing @reference_only
Feature: Members added through SCIM are billable as soon as they are provisioned
  Wrike's billing ledger records each member created through SCIM as billable from the moment
  of provisioning, with their user type; it counts billable members and paid seats per user
  type apart and records deactivations and deletions with their time.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app

  @smoke
  Scenario: A provisioned member is billable from the moment of provisioning
    Given the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the Wrike billing ledger shows "ada@acme.com" as billable from the moment of provisioning

  Scenario: A user waiting for approval is not billable yet
    Given the Wrike app requires admin approval to Create user
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the Wrike billing ledger shows "ada@acme.com" as not billable

  Scenario: An approved user is billable from the moment the approval provisions them
    Given the Wrike app requires admin approval to Create user
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin approves the pending Create user task for "ada@acme.com"
    Then the Wrike billing ledger shows "ada@acme.com" as billable from the moment of provisioning

  Scenario: A user Wrike refused is not billable
    Given the Wrike app requires no admin approval
    And a OneLogin user "eve@example.org"
    When "eve@example.org" is assigned the Wrike app through the role "Engineering"
    Then the Wrike billing ledger shows "eve@example.org" as not billable

  Scenario: Seats are counted per user type
    Given the Wrike app requires no admin approval
    And these OneLogin users are assigned the Wrike app through the role "Everyone":
      | email             | Wrike user type |
      | ada@acme.com      | Regular         |
      | bob@acme.com      |                 |
      | cy@acme.com       | External        |
      | dee@acme.com      | Collaborator    |
      | eli@acme.com      | Contributor     |
      | fay@acme.com      | Viewer          |
      | gus@acme.com      | Viewer          |
    Then Wrike counts these seats per user type:
      | user type    | seats |
      | Regular      | 2     |
      | External     | 1     |
      | Collaborator | 1     |
      | Contributor  | 1     |
      | Viewer       | 2     |

  Scenario: Billable members and paid seats are counted apart
    Every member provisioned through SCIM is billable; only some user types take a paid seat
    (Wrike: Regular and External do, Collaborators do not; Contributor and Viewer are assumed).
    Given the Wrike app requires no admin approval
    And these OneLogin users are assigned the Wrike app through the role "Everyone":
      | email        | Wrike user type |
      | ada@acme.com | Regular         |
      | cy@acme.com  | External        |
      | dee@acme.com | Collaborator    |
      | eli@acme.com | Contributor     |
      | fay@acme.com | Viewer          |
    Then Wrike counts these billable members and paid seats per user type:
      | user type    | billable members | paid seats | takes a paid seat |
      | Regular      | 1                | 1          | yes               |
      | External     | 1                | 1          | yes               |
      | Collaborator | 1                | 0          | no                |
      | Contributor  | 1                | 1          | yes (assumed)     |
      | Viewer       | 1                | 0          | no (assumed)      |

  Scenario: A deactivation is recorded in the billing ledger
    Given the Wrike app requires no admin approval
    And the suspension action is "Suspend"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is suspended in OneLogin
    Then the Wrike billing ledger records the deactivation of "ada@acme.com"

  Scenario: A deletion is recorded in the billing ledger
    Given the Wrike app requires no admin approval
    And the deprovision action is "Delete"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When "ada@acme.com" is removed from the role "Engineering"
    Then the Wrike billing ledger records the deletion of "ada@acme.com"
