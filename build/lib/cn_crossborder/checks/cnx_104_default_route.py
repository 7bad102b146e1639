"""CKV_CNX_104 for Terraform: a cross-border link must not carry a mainland default route."""

from cn_crossborder.checkov_check import CloudFormationRuleCheck, TerraformRuleCheck

check = TerraformRuleCheck("CKV_CNX_104")
cfn_check = CloudFormationRuleCheck("CKV_CNX_104")
