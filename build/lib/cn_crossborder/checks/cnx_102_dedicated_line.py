"""CKV_CNX_102 for Terraform: a dedicated line into a mainland region must be an approved carrier's."""

from cn_crossborder.checkov_check import CloudFormationRuleCheck, TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_102")
cfn_check = CloudFormationRuleCheck("CKV_CNX_102")
