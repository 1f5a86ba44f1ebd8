"""Where things go on the CMS-1500 (02/12) claim form.

The form is printed in 10 characters an inch and 6 lines an inch: a place is a line
(from the top) and a column (from the left), as the NUCC's printing guidance counts them.
`BOXES` are the form's boxes, drawn on the plain version with their labels: (label,
first line, last line, first column, width in columns). The data is put at the same
places on both versions, so the plain version printed on paper can be held against the
red form to check the alignment.
"""

from __future__ import annotations

from reportlab.lib.units import inch

LEFT = 0.25 * inch  # column 1's left edge
TOP = 0.33 * inch  # line 1's top edge
COLUMN = 0.1 * inch
LINE = inch / 6

SERVICE_LINES = (46, 48, 50, 52, 54, 56)  # box 24's six lines (the shaded half above each)
LINES_PER_PAGE = len(SERVICE_LINES)
DIAGNOSIS_PLACES = [(38 + 2 * (i // 4), 3 + 13 * (i % 4)) for i in range(12)]  # box 21 A..L

BOXES = [
    ("PAYER", 1, 5, 50, 30),
    ("1. MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN  FECA  OTHER", 7, 8, 1, 49),
    ("1a. INSURED'S I.D. NUMBER", 7, 8, 50, 30),
    ("2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 9, 10, 1, 29),
    ("3. PATIENT'S BIRTH DATE   SEX", 9, 10, 30, 20),
    ("4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 9, 10, 50, 30),
    ("5. PATIENT'S ADDRESS (No., Street)", 11, 12, 1, 29),
    ("6. PATIENT RELATIONSHIP TO INSURED", 11, 12, 30, 20),
    ("7. INSURED'S ADDRESS (No., Street)", 11, 12, 50, 30),
    ("CITY                      STATE", 13, 14, 1, 29),
    ("8. RESERVED FOR NUCC USE", 13, 16, 30, 20),
    ("CITY                      STATE", 13, 14, 50, 30),
    ("ZIP CODE     TELEPHONE", 15, 16, 1, 29),
    ("ZIP CODE     TELEPHONE", 15, 16, 50, 30),
    ("9. OTHER INSURED'S NAME", 17, 18, 1, 29),
    ("10. IS PATIENT'S CONDITION RELATED TO:", 17, 18, 30, 20),
    ("11. INSURED'S POLICY GROUP OR FECA NUMBER", 17, 18, 50, 30),
    ("a. OTHER INSURED'S POLICY OR GROUP NUMBER", 19, 20, 1, 29),
    ("a. EMPLOYMENT?  YES  NO", 19, 20, 30, 20),
    ("a. INSURED'S DATE OF BIRTH   SEX", 19, 20, 50, 30),
    ("b. RESERVED FOR NUCC USE", 21, 22, 1, 29),
    ("b. AUTO ACCIDENT?  YES  NO  PLACE", 21, 22, 30, 20),
    ("b. OTHER CLAIM ID", 21, 22, 50, 30),
    ("c. RESERVED FOR NUCC USE", 23, 24, 1, 29),
    ("c. OTHER ACCIDENT?  YES  NO", 23, 24, 30, 20),
    ("c. INSURANCE PLAN NAME OR PROGRAM NAME", 23, 24, 50, 30),
    ("d. INSURANCE PLAN NAME OR PROGRAM NAME", 25, 26, 1, 29),
    ("10d. CLAIM CODES", 25, 26, 30, 20),
    ("d. IS THERE ANOTHER HEALTH BENEFIT PLAN?  YES  NO", 25, 26, 50, 30),
    ("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE   DATE", 27, 30, 1, 49),
    ("13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 27, 30, 50, 30),
    ("14. DATE OF CURRENT ILLNESS", 31, 32, 1, 29),
    ("15. OTHER DATE", 31, 32, 30, 20),
    ("16. DATES PATIENT UNABLE TO WORK", 31, 32, 50, 30),
    ("17. NAME OF REFERRING PROVIDER", 33, 34, 1, 29),
    ("17b. NPI", 33, 34, 30, 20),
    ("18. HOSPITALIZATION DATES", 33, 34, 50, 30),
    ("19. ADDITIONAL CLAIM INFORMATION", 35, 36, 1, 49),
    ("20. OUTSIDE LAB?  $ CHARGES", 35, 36, 50, 30),
    ("21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  ICD Ind.", 37, 42, 1, 49),
    ("22. RESUBMISSION CODE    ORIGINAL REF. NO.", 37, 38, 50, 30),
    ("23. PRIOR AUTHORIZATION NUMBER", 39, 40, 50, 30),
    ("24. A. DATE(S) OF SERVICE  B. POS  C. EMG  D. PROCEDURE, MODIFIER  E. POINTER  "
     "F. $ CHARGES  G. UNITS  J. RENDERING NPI", 43, 56, 1, 79),
    ("25. FEDERAL TAX I.D. NUMBER   SSN EIN", 57, 58, 1, 21),
    ("26. PATIENT'S ACCOUNT NO.", 57, 58, 22, 14),
    ("27. ACCEPT ASSIGNMENT?", 57, 58, 36, 14),
    ("28. TOTAL CHARGE", 57, 58, 50, 11),
    ("29. AMOUNT PAID", 57, 58, 61, 10),
    ("30. Rsvd for NUCC Use", 57, 58, 71, 9),
    ("31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 59, 63, 1, 21),
    ("32. SERVICE FACILITY LOCATION INFORMATION", 59, 63, 22, 28),
    ("33. BILLING PROVIDER INFO & PH #", 59, 63, 50, 30),
]


def x(column: float) -> float:
    """The left edge of a column (1-based), in points from the page's left."""
    return LEFT + (column - 1) * COLUMN


def y(line: float, page_height: float) -> float:
    """The text baseline of a line (1-based), in points from the page's bottom."""
    return page_height - TOP - line * LINE + 0.05 * inch
