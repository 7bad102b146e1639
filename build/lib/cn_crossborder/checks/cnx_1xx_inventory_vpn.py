"""CKV_CNX_101 on network inventories: IPsec (and Internet SD-WAN) links across the border."""

from cn_crossborder.inventory_check import inventory_checks

check, file_check = inventory_checks("CKV_CNX_101")
