"""CKV_CNX_202 on network inventories: devices the encryption import list catches."""

from cn_crossborder.inventory_check import inventory_checks

check, file_check = inventory_checks("CKV_CNX_202")
