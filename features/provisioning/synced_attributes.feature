@provisioning
Feature: The nine synced attributes go from OneLogin to Wrike and follow changes
  Username, Given name, Family name, Primary email, Job title, Primary phone number,
  Organization name, Department and Wrike user type are sent when the user is provisioned, and
  again whenever they change in OneLogin. Wrike uses the email as the user's login.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  @smoke
  Scenario: A new Wrike user arrives with all nine synced attributes
    Given a OneLogin user "ada@acme.com" with these attributes:
      | attribute            | value          |
      | Given name           | Ada            |
      | Family name          | Lovelace       |
      | Job title            | Engineer       |
      | Primary phone number | +15550100      |
      | Organization name    | Acme Analytics |
      | Department           | Research       |
      | Wrike user type      | Collaborator   |
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the Wrike user "ada@acme.com" has these attributes:
      | attribute            | value          |
      | Username             | ada@acme.com   |
      | Given name           | Ada            |
      | Family name          | Lovelace       |
      | Primary email        | ada@acme.com   |
      | Job title            | Engineer       |
      | Primary phone number | +15550100      |
      | Organization name    | Acme Analytics |
      | Department           | Research       |
      | Wrike user type      | Collaborator   |

  Scenario Outline: Each synced attribute reaches Wrike when the user is provisioned
    Given a OneLogin user "ada@acme.com" with these attributes:
      | attribute   | value   |
      | <attribute> | <value> |
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the Wrike user "ada@acme.com" has "<attribute>" set to "<value>"

    Examples:
      | attribute            | value          |
      | Username             | ada@acme.com   |
      | Given name           | Ada            |
      | Family name          | Lovelace       |
      | Primary email        | ada@acme.com   |
      | Job title            | Engineer       |
      | Primary phone number | +15550100      |
      | Organization name    | Acme Analytics |
      | Department           | Research       |
      | Wrike user type      | Contributor    |

  @both_update_methods
  Scenario Outline: A synced attribute changed in OneLogin is updated in Wrike
    Given a OneLogin user "ada@acme.com" with these attributes:
      | attribute   | value    |
      | <attribute> | <before> |
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "<attribute>" of "ada@acme.com" to "<after>"
    Then the Wrike user "ada@acme.com" has "<attribute>" set to "<after>"
    And the System Log shows "User updated in app" for "ada@acme.com"

    Examples:
      | attribute            | before         | after          |
      | Given name           | Ada            | Augusta        |
      | Family name          | Byron          | Lovelace       |
      | Job title            | Engineer       | Lead Engineer  |
      | Primary phone number | +15550100      | +15550199      |
      | Organization name    | Acme Analytics | Acme Labs      |
      | Department           | Research       | Platform       |
      | Wrike user type      | Collaborator   | Viewer         |

  Scenario: The Wrike login is the user's email
    Given a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app directly
    Then the Wrike user "ada@acme.com" has "Username" set to "ada@acme.com"
    And the Wrike user "ada@acme.com" has "Primary email" set to "ada@acme.com"

  Scenario: A user created without a password is provisioned active
    Given the SCIM JSON Template of the Wrike app also sends "active": "{$user.active}"
    And a OneLogin user "ada@acme.com" created without a password
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And the provisioning state of "ada@acme.com" in the Wrike app is "Provisioned"
