"""CKV_CNX_101 for Terraform: cross-border site-to-site VPN must terminate on an approved carrier."""

from cn_crossborder.checkov_check import CloudFormationRuleCheck, TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_101")
cfn_check = CloudFormationRuleCheck("CKV_CNX_101")
