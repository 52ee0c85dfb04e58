@troubleshooting
Feature: Attributes filled in Wrike but missing in OneLogin stay in Wrike
  When OneLogin has no value for an attribute (a phone number, a department, a secondary
  email) that is filled in Wrike, provisioning leaves Wrike's value alone: on linking an
  existing Wrike user, and on every later update, whether the Wrike app sends the whole user
  ("PUT") or only the changes ("PATCH"). A value OneLogin does have still wins.

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval

  Scenario Outline: Attributes filled only in Wrike stay after an update from OneLogin
    Given the Wrike app sends user updates as "<method>"
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute | value    |
      | Job title | Engineer |
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin fills in "Primary phone number" of "ada@acme.com" with "+15550100"
    And the Wrike admin fills in "Department" of "ada@acme.com" with "Research"
    And the Wrike admin fills in "Secondary email" of "ada@acme.com" with "ada.lovelace@acme.com"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    Then the System Log shows "User updated in app" for "ada@acme.com"
    And the Wrike user "ada@acme.com" has these attributes:
      | attribute            | value                 |
      | Job title            | Lead Engineer         |
      | Primary phone number | +15550100             |
      | Department           | Research              |
      | Secondary email      | ada.lovelace@acme.com |

    @wrike_attributes_stay
    Examples: The whole user, which keeps what it does not carry only in Wrike
      | method |
      | PUT    |

    Examples: Only the changes
      | method |
      | PATCH  |

  @reference_only
  Scenario: Attributes filled in Wrike stay when OneLogin links the existing Wrike user
    Given Wrike already has an active user "ada@acme.com"
    And the Wrike admin fills in "Department" of "ada@acme.com" with "Research"
    And the Wrike admin fills in "Primary phone number" of "ada@acme.com" with "+15550100"
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then the System Log shows "User linked in app" for "ada@acme.com"
    And the Wrike user "ada@acme.com" has "Department" set to "Research"
    And the Wrike user "ada@acme.com" has "Primary phone number" set to "+15550100"

  Scenario Outline: A value set in OneLogin replaces the value filled in Wrike
    Given the Wrike app sends user updates as "<method>"
    And a OneLogin user "ada@acme.com"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin fills in "Department" of "ada@acme.com" with "Research"
    When the OneLogin admin changes "Department" of "ada@acme.com" to "Sales"
    Then the Wrike user "ada@acme.com" has "Department" set to "Sales"

    Examples:
      | method |
      | PUT    |
      | PATCH  |
