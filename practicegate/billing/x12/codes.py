"""The codes of 999 and 277CA acknowledgments, in plain words for the people who fix claims."""

from __future__ import annotations

# IK3-4: what is wrong with a segment (code list 620).
SEGMENT_ERRORS = {
    "1": "the segment is not one the file format knows",
    "2": "the segment was not expected there",
    "3": "a required segment is missing",
    "4": "a loop repeats more often than allowed",
    "5": "the segment repeats more often than allowed",
    "6": "the segment does not belong in this transaction",
    "7": "the segment is out of order",
    "8": "the segment has errors in its elements",
    "I4": "the segment must not be sent",
    "I6": "a segment required in this situation is missing",
    "I7": "a loop occurs fewer times than required",
    "I8": "the segment occurs fewer times than required",
    "I9": "the segment must not be sent in this situation",
}

# IK4-3: what is wrong with an element (code list 621).
ELEMENT_ERRORS = {
    "1": "a required value is missing",
    "2": "a value required with another one is missing",
    "3": "there are too many values",
    "4": "a value is too short",
    "5": "a value is too long",
    "6": "a value holds a character that is not allowed",
    "7": "a value is not one of the allowed codes",
    "8": "a date is not valid",
    "9": "a time is not valid",
    "10": "two values were sent that must not be sent together",
    "12": "a value repeats too often",
    "13": "a value has too many parts",
    "I6": "a code is not allowed for claims",
    "I9": "a value required in this situation is missing",
    "I10": "a value was sent that must not be sent",
    "I11": "a value repeats fewer times than required",
    "I12": "a value does not have the required form",
    "I13": "a value was sent that must not be sent in this situation",
}

# IK5-2 to IK5-6 and AK9-5 and on: what is wrong with a transaction set or group (lists 718, 716).
SET_ERRORS = {
    "1": "the clearinghouse does not accept this kind of file",
    "2": "the transaction's trailer is missing",
    "3": "the transaction's control numbers in its header and trailer differ",
    "4": "the transaction's segment count is wrong",
    "5": "one or more segments have errors",
    "6": "the transaction's kind is missing or not valid",
    "7": "the transaction's control number is missing or not valid",
    "18": "the transaction was encrypted and could not be read",
    "19": "the transaction is not supported",
    "23": "the transaction's control number was already used",
    "I5": "one or more segments have errors",
    "I6": "the file's version of the claim format is not supported",
}

GROUP_ERRORS = {
    "1": "the clearinghouse does not accept this kind of group",
    "2": "the group's version is not supported",
    "3": "the group's trailer is missing",
    "4": "the group's control numbers in its header and trailer differ",
    "5": "the group's transaction count is wrong",
    "6": "the group's control number is not valid",
    "19": "the group's control number was already used",
}

SET_STATUS = {"A": "accepted", "E": "accepted", "M": "rejected", "R": "rejected", "W": "rejected",
              "X": "rejected"}
GROUP_STATUS = {"A": "accepted", "E": "accepted", "P": "partly accepted", "R": "rejected",
                "M": "rejected", "W": "rejected", "X": "rejected"}

# STC01-1: the claim status category (code list 507).
ACCEPTED_CATEGORIES = {"A0", "A1", "A2", "A5"}
REJECTED_CATEGORIES = {"A3", "A4", "A6", "A7", "A8", "E0"}
CATEGORIES = {
    "A0": "forwarded to the payer",
    "A1": "received",
    "A2": "accepted for processing",
    "A3": "returned as unprocessable",
    "A4": "not found",
    "A5": "split",
    "A6": "rejected for missing information",
    "A7": "rejected for invalid information",
    "A8": "rejected for an error between related values",
    "E0": "no answer possible: the request had errors",
}

# STC01-2: the claim status (code list 508), the ones a professional claim meets most.
STATUSES = {
    "0": "cannot give a status now",
    "3": "the claim was already adjudicated",
    "16": "the claim is missing information",
    "19": "the claim was received",
    "20": "the claim was accepted for processing",
    "21": "information is missing or not valid",
    "33": "the subscriber and their ID were not found",
    "35": "the claim was not found",
    "54": "a duplicate of a claim already received",
    "78": "a duplicate of a claim already received",
    "85": "a claim for the same services was already filed",
    "97": "the patient is not eligible",
    "116": "the claim was sent to the wrong payer",
    "125": "the entity's name",
    "126": "the entity's address",
    "128": "the entity's tax ID",
    "145": "the entity's primary identifier",
    "153": "the entity's ID number",
    "158": "the entity's date of birth",
    "159": "the entity's sex",
    "164": "the entity's member ID",
    "178": "the charge for the service",
    "187": "the date of service",
    "189": "the place of service",
    "228": "the kind of claim (claim frequency)",
    "247": "the line's charge",
    "249": "the place of service",
    "254": "the principal diagnosis code",
    "255": "a diagnosis code",
    "400": "the claim's total does not equal its lines",
    "447": "the payer's claim number of the original claim",
    "453": "the procedure code's modifier",
    "454": "the procedure code",
    "455": "the number of units",
    "464": "the payer's ID",
    "484": "a diagnosis pointer",
    "496": "the submitter is not approved to send claims",
    "507": "the provider is not set up with this payer",
    "510": "the date of service is after the date received",
    "511": "the date of service is not within the coverage dates",
    "562": "the entity's NPI",
    "673": "the patient's control number",
    "732": "the information is not valid for this payer",
    "733": "the information is not valid for this submitter",
}

# STC01-3: whose information it is (entity identifier codes).
ENTITIES = {
    "03": "dependent", "40": "receiver", "41": "submitter", "82": "rendering provider",
    "85": "billing provider", "87": "pay-to provider", "IL": "subscriber", "PR": "payer",
    "QC": "patient", "1P": "provider", "TT": "clearinghouse",
}


def words(table: dict, code: str, what: str) -> str:
    return table.get(code.strip().upper(), f"{what} {code.strip()}" if code.strip() else what)
