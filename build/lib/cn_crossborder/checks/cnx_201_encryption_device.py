"""CKV_CNX_201 for Terraform: a foreign-made VPN device in mainland China needs an import licence."""

from cn_crossborder.checkov_check import TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_201")
