@provisioning
Feature: The Wrike user type is a custom attribute; Regular by default
  The OneLogin custom attribute "Wrike user type" decides the type of the Wrike user: Regular,
  External, Collaborator, Contributor or Viewer. A user without one becomes a Regular user. Wrike
  refuses a value it does not know, and the System Log says so.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  Scenario Outline: The Wrike user type set in OneLogin is the type of the Wrike user
    Given a OneLogin user "ada@acme.com" with these attributes:
      | attribute       | value  |
      | Wrike user type | <type> |
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike has an active user "ada@acme.com" of type "<type>"

    Examples:
      | type         |
      | Regular      |
      | External     |
      | Collaborator |
      | Contributor  |
      | Viewer       |

  @smoke
  Scenario: A user without a Wrike user type becomes a Regular user
    Given a OneLogin user "bob@acme.com"
    When "bob@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike has an active user "bob@acme.com" of type "Regular"

  @wrike_user_types
  Scenario: An unknown Wrike user type is refused
    # bob, with a type Wrike knows and assigned the same way, is the control: only the type
    # tells the two apart, so a provider that refuses every create fails this scenario.
    Given a OneLogin user "ada@acme.com" with these attributes:
      | attribute       | value |
      | Wrike user type | Guest |
    And a OneLogin user "bob@acme.com" with these attributes:
      | attribute       | value    |
      | Wrike user type | External |
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "bob@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User creation failed in app" for "ada@acme.com"
    And Wrike has an active user "bob@acme.com" of type "External"
