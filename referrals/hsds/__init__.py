"""Open Referral Human Services Data Specification (HSDS) datapackages: import and export.

See https://docs.openreferral.org (HSDS 3.0, tabular representation).
"""

from referrals.hsds.exporter import export_package, package_zip
from referrals.hsds.importer import import_package
from referrals.hsds.package import HsdsError, Problem
from referrals.hsds.values import ImportReport

__all__ = ["HsdsError", "ImportReport", "Problem", "export_package", "import_package", "package_zip"]
