@provisioning @reference_only
Feature: Updating account admins needs a token from an admin who may grant and revoke admin rights
  The token OneLogin uses carries the rights of the Wrike admin who issued it. Wrike changes an
  account admin's attributes only when that issuer holds "Grant/revoke admin rights"; other
  users are updated either way. Wrike's SCIM API article also lists "edit names and emails,
  add/remove people from groups, export a user list, deactivate and delete individual user
  accounts" among the issuer's rights (one right in Wrike, granted to every new admin); which
  SCIM operation needs it is the reference provider's choice (SCIM_OPERATION_RIGHTS).

  Background:
    Given a Wrike account on the "Enterprise Standard" plan
    And "acme.com" is an approved domain in Wrike
    And provisioning is enabled for the Wrike app
    And the Wrike app requires no admin approval
    And the suspension action is "Suspend"
    And a OneLogin user "ada@acme.com" with these attributes:
      | attribute | value    |
      | Job title | Engineer |

  Scenario: An account admin's attributes are updated with a token from an admin holding the right
    Given a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is a Wrike account admin
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "CTO"
    Then the Wrike user "ada@acme.com" has "Job title" set to "CTO"
    And the System Log shows "User updated in app" for "ada@acme.com"

  Scenario: An account admin's attributes are not updated with a token from an admin lacking the right
    Given a Wrike admin "Tom Admin" with only the right "Configure advanced security settings"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Tom Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is a Wrike account admin
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "CTO"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Engineer"
    And the System Log shows "User update failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Grant/revoke admin rights"
    And the provisioning state of "ada@acme.com" in the Wrike app is "Failed"

  Scenario: An account admin is not deactivated with a token from an admin lacking the right
    Given a Wrike admin "Tom Admin" with only the right "Configure advanced security settings"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Tom Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And "ada@acme.com" is a Wrike account admin
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User suspension failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Grant/revoke admin rights"

  Scenario: Users who are not admins are updated with a token from an admin lacking the right
    Given a Wrike admin "Tom Admin" with only the right "Configure advanced security settings"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Tom Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "Lead Engineer"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Lead Engineer"
    And the System Log shows "User updated in app" for "ada@acme.com"

  Scenario: A token from an admin without the right to edit users provisions no one
    Given a Wrike admin "Tom Admin" without the right "Edit names and emails, add/remove people from groups, deactivate and delete individual user accounts"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Tom Admin"
    When "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    Then Wrike shows "ada@acme.com" as absent
    And the System Log shows "User creation failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "Edit names and emails, add/remove people from groups, deactivate and delete individual user accounts"

  Scenario: An admin who lost the right to edit users cannot deactivate them through the token
    Given a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin "Wanda Admin" no longer holds the right "Edit names and emails, add/remove people from groups, deactivate and delete individual user accounts"
    When "ada@acme.com" is suspended in OneLogin
    Then Wrike shows "ada@acme.com" as active
    And the System Log shows "User suspension failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "deactivate users"

  Scenario: An admin who lost the right to edit users cannot change their attributes through the token
    Given a Wrike admin "Wanda Admin" with the rights "Configure advanced security settings" and "Grant/revoke admin rights"
    And the Wrike app in OneLogin is configured with the account's SCIM URL and a token issued by "Wanda Admin"
    And "ada@acme.com" is assigned the Wrike app through the role "Engineering"
    And the Wrike admin "Wanda Admin" no longer holds the right "Edit names and emails, add/remove people from groups, deactivate and delete individual user accounts"
    When the OneLogin admin changes "Job title" of "ada@acme.com" to "CTO"
    Then the Wrike user "ada@acme.com" has "Job title" set to "Engineer"
    And the System Log shows "User update failed in app" for "ada@acme.com"
    And the error details logged for "ada@acme.com" mention "edit names and emails"
