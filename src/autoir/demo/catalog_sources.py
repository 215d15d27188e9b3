"""Source names and recommended-action texts shared by the identity, cloud and data catalogs."""

from __future__ import annotations

MDI = "microsoftDefenderForIdentity"
AAD = "azureAdIdentityProtection"
MDCA = "microsoftDefenderForCloudApps"
CAS = "cloudAppSecurity"
APPG = "microsoftAppGovernance"
DLP = "dataLossPrevention"
DLPS = "microsoftDataLossPrevention"
SIGN_IN = (
    "Confirm the sign-in with the user. If it was not them, reset the password, revoke "
    "refresh tokens, require MFA re-registration and review activity since the sign-in."
)
MDI_ACTIONS = (
    "Find the source computer and the account used, review the account's recent logons and "
    "isolate the source device if the activity is not expected."
)
CLOUD = (
    "Review the user's activity log in Defender for Cloud Apps around the alert and suspend "
    "the user if the activity cannot be explained."
)
DLP_ACTIONS = (
    "Review the matched content and the policy tip override justification, contact the user's "
    "manager, and revoke external sharing links if the share was not approved."
)
OAUTH = (
    "Review the app's permissions and consent grants, disable the app and revoke its "
    "credentials and tokens if it is not sanctioned."
)
