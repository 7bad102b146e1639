"""CKV_CNX_103 for Terraform: peering across the mainland border needs the licensed product."""

from cn_crossborder.checkov_check import CloudFormationRuleCheck, TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_103")
cfn_check = CloudFormationRuleCheck("CKV_CNX_103")
