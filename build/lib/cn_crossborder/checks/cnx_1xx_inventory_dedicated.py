"""CKV_CNX_102 on network inventories: dedicated lines (and carrier SD-WAN) into the mainland."""

from cn_crossborder.inventory_check import inventory_checks

check, file_check = inventory_checks("CKV_CNX_102")
