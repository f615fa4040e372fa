"""One date format everywhere (issue 8): 2024-09-01 and 2024-09-01 08:30 in Chinese and in
English, the same as the `ymd` / `ymd_hm` template filters, the stored message parameters (ISO
dates) and the date inputs (FORMAT_MODULE_PATH in the settings)."""
