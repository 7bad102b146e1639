"""CKV_CNX_104 on network inventories: links that carry a mainland site's default route."""

from cn_crossborder.inventory_check import inventory_checks

check, file_check = inventory_checks("CKV_CNX_104")
