from referrals.models.directory import Category, Language, Location, Organization, Service, ServiceAtLocation
from referrals.models.referrals import OrganizationAccount, Referral, ReferralStatusChange, SharedInfo

__all__ = [
    "Category",
    "Language",
    "Location",
    "Organization",
    "OrganizationAccount",
    "Referral",
    "ReferralStatusChange",
    "Service",
    "ServiceAtLocation",
    "SharedInfo",
]
