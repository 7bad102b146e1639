"""CKV_CNX_201 on network inventories: foreign-made VPN devices at mainland sites."""

from cn_crossborder.inventory_check import inventory_checks

check, file_check = inventory_checks("CKV_CNX_201")
