"""How pages write dates and times (US English), read by Django's localization.

One date shape on pages and in date inputs: 12/07/2026, which is what Chromium's en-US
<input type="date"> shows. Times carry the zone's abbreviation, because the same page
can be read by offices in different zones.
"""

DATE_FORMAT = "m/d/Y"
SHORT_DATE_FORMAT = "m/d/Y"
TIME_FORMAT = "g:i A T"
DATETIME_FORMAT = "m/d/Y g:i A T"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A T"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
