"""CKV_CNX_103 for Terraform: peering across the mainland border needs the licensed product."""

from cn_crossborder.checkov_check import TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_103")
