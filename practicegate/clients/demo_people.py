"""What makes the demo's made-up clients believable: names people go by, who they would call
in an emergency at their age, the diagnoses an outpatient practice sees, and which billing
codes are add-ons billed only beside their primary code on the same day."""

from __future__ import annotations

# Preferred names: the usual short forms of common first names. A client whose first name
# is not here has no preferred name (a made-up short form such as "Kry" looks like a typo).
NICKNAMES: dict[str, tuple[str, ...]] = {
    # women's names
    "Abigail": ("Abby",), "Alexandra": ("Alex", "Lexi"), "Alexis": ("Lexi",), "Allison": ("Allie",),
    "Amanda": ("Mandy",), "Andrea": ("Andi",), "Barbara": ("Barb",), "Caroline": ("Carrie",),
    "Catherine": ("Cathy", "Kate"), "Christina": ("Tina", "Chris"), "Christine": ("Chris",),
    "Cynthia": ("Cindy",), "Danielle": ("Dani",), "Deborah": ("Debbie", "Deb"), "Elizabeth": ("Liz", "Beth"),
    "Gabrielle": ("Gabby",), "Jacqueline": ("Jackie",), "Jennifer": ("Jen", "Jenny"), "Jessica": ("Jess",),
    "Kathleen": ("Kathy",), "Katherine": ("Kate", "Katie"), "Kimberly": ("Kim",), "Kristen": ("Kris",),
    "Kristin": ("Kris",), "Kristina": ("Kris",), "Madison": ("Maddie",), "Margaret": ("Maggie", "Meg"),
    "Melissa": ("Missy", "Mel"), "Natalie": ("Nat",), "Pamela": ("Pam",), "Patricia": ("Patty", "Trish"),
    "Rebecca": ("Becky", "Becca"), "Samantha": ("Sam",), "Sandra": ("Sandy",), "Stephanie": ("Steph",),
    "Susan": ("Sue",), "Teresa": ("Terri",), "Valerie": ("Val",), "Victoria": ("Tori", "Vicky"),
    # men's names
    "Alexander": ("Alex",), "Andrew": ("Andy", "Drew"), "Anthony": ("Tony",), "Benjamin": ("Ben",),
    "Bradley": ("Brad",), "Charles": ("Charlie",), "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"),
    "David": ("Dave",), "Donald": ("Don",), "Douglas": ("Doug",), "Edward": ("Ed", "Eddie"),
    "Frederick": ("Fred",), "Gerald": ("Jerry",), "Gregory": ("Greg",), "Jacob": ("Jake",),
    "James": ("Jim", "Jimmy"), "Jeffrey": ("Jeff",), "John": ("Jack", "Johnny"), "Jonathan": ("Jon",),
    "Joseph": ("Joe",), "Joshua": ("Josh",), "Kenneth": ("Ken",), "Matthew": ("Matt",), "Michael": ("Mike",),
    "Nathan": ("Nate",), "Nicholas": ("Nick",), "Patrick": ("Pat",), "Peter": ("Pete",), "Phillip": ("Phil",),
    "Raymond": ("Ray",), "Richard": ("Rick", "Rich"), "Robert": ("Bob", "Rob"), "Ronald": ("Ron",),
    "Samuel": ("Sam",), "Stephen": ("Steve",), "Steven": ("Steve",), "Theodore": ("Ted", "Teddy"),
    "Thomas": ("Tom",), "Timothy": ("Tim",), "Vincent": ("Vince",), "Walter": ("Walt",),
    "William": ("Will", "Bill"), "Zachary": ("Zach",),
}

ADULT_AGE = 18

# Emergency contacts a child's file names: a parent or a guardian.
GUARDIANS = ("Mother", "Father", "Parent", "Guardian")
# Adults by age band: (oldest age in the band, [(relationship, weight), ...]).
ADULT_CONTACTS = (
    (25, (("Mother", 30), ("Father", 15), ("Sister", 8), ("Brother", 6), ("Partner", 15), ("Friend", 12))),
    (64, (("Spouse", 40), ("Partner", 12), ("Mother", 8), ("Father", 4), ("Sister", 10), ("Brother", 7),
          ("Friend", 12))),
    (200, (("Spouse", 35), ("Daughter", 25), ("Son", 20), ("Sister", 8), ("Brother", 4), ("Friend", 8))),
)
COUPLES = ("Spouse", "Partner")  # only ever an adult's contact
WOMEN = ("Mother", "Sister", "Daughter")
MEN = ("Father", "Brother", "Son")
FAMILY = WOMEN + MEN + ("Parent", "Spouse")  # usually share the client's last name

# ICD-10-CM codes (stored without the dot) an outpatient practice sees, by age; the first is
# the most common. An account without them falls back to its own active codes.
CHILD_DIAGNOSES = ("F902", "F411", "F4323", "F900", "F930", "F913", "F4322", "F329A", "F840", "F418")
ADULT_DIAGNOSES = ("F411", "F329A", "F331", "F4323", "F4310", "F410", "F4010", "F341", "F330", "F4322",
                   "F422", "F1020", "F319", "F4312")

# Billing codes by what a visit is. Add-ons are billed only on the same day as one of their
# primary codes: interactive complexity with an intake, a therapy session or group therapy
# (never with crisis or family therapy), each added 30 minutes of crisis therapy with its first hour.
INTAKE_CODES = ("90791", "90792")
THERAPY_CODES = (("90834", 50), ("90837", 30), ("90832", 20))
FAMILY_CODES = ("90847", "90846")
GROUP_CODE = "90853"
CRISIS_CODE = "90839"
SCREENING_CODE = "96127"
ADD_ONS: dict[str, frozenset[str]] = {
    "90785": frozenset({"90791", "90792", "90832", "90833", "90834", "90836", "90837", "90838", "90853"}),
    "90840": frozenset({"90839"}),
    # Psychotherapy with an evaluation and management visit (not in the demo's files, listed
    # so an account that adds them keeps the rule): billed only with an E/M code.
    "90833": frozenset({"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"}),
    "90836": frozenset({"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"}),
    "90838": frozenset({"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215"}),
}
