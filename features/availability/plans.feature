@availability @reference_only
Feature: SCIM provisioning is available only on Enterprise-level Wrike plans
  Wrike offers user provisioning through OneLogin SCIM on Enterprise Standard, Enterprise
  Pinnacle and Legacy Enterprise, and on the newer plans Pinnacle and Apex (Wrike's own SCIM
  pages: "Availability: Pinnacle, Apex. ; Unavailability: Free, Team, Business"). On every other
  plan Wrike refuses the connection and every provisioning request, and says which plan is the
  reason. (The article's table of current plans lists Business in neither column; like every
  plan below Enterprise, it has no SCIM.)

  Scenario Outline: The API connection test succeeds only on a plan that includes SCIM
    Given a Wrike account on the "<plan>" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "<api_status>"

    Examples: Current plans
      | plan                | api_status |
      | Free                | Failed     |
      | Professional        | Failed     |
      | Team                | Failed     |
      | Business            | Failed     |
      | Business Plus       | Failed     |
      | Enterprise Standard | Enabled    |
      | Enterprise Pinnacle | Enabled    |

    Examples: Legacy plans
      | plan                | api_status |
      | Legacy Free         | Failed     |
      | Legacy Professional | Failed     |
      | Legacy Business     | Failed     |
      | Legacy Enterprise   | Enabled    |

    Examples: Newer plans
      | plan     | api_status |
      | Pinnacle | Enabled    |
      | Apex     | Enabled    |

  Scenario Outline: An assigned user is provisioned on a plan that includes SCIM
    Given a Wrike account on the "<plan>" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User created in app" for "ada@acme.com"

    Examples:
      | plan                |
      | Enterprise Standard |
      | Enterprise Pinnacle |
      | Legacy Enterprise   |
      | Pinnacle            |
      | Apex                |

  Scenario Outline: Provisioning on a plan without SCIM fails with an error naming the plan
    Given a Wrike account on the "<plan>" plan
    And "acme.com" is an approved domain in Wrike
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And a OneLogin user "ada@acme.com"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "<plan>"

    Examples: Current plans
      | plan          |
      | Free          |
      | Professional  |
      | Team          |
      | Business      |
      | Business Plus |

    Examples: Legacy plans
      | plan                |
      | Legacy Free         |
      | Legacy Professional |
      | Legacy Business     |

  Scenario: The connection test on a plan without SCIM says which plan is the reason
    Given a Wrike account on the "Business" plan
    And a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    When the OneLogin admin enables the API connection of the Wrike app
    Then the API status of the Wrike app is "Failed"
    And the API connection error mentions "Business"
