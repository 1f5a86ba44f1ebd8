"""A test-only clearinghouse: answers an 837P file with a 999 or a 277CA, as one would.

`answer_999(file)` accepts the transaction set, or with `reject=True` rejects it with
the segment errors given. `answer_277ca(file, rejected={CLM01: (status, entity)})`
accepts every claim but those, rejected (A7) with that status code.
"""

from __future__ import annotations


def _segments(text: str) -> list[list[str]]:
    return [raw.strip().split("*") for raw in text.split("~") if raw.strip()]


def _envelope(segments: list[str], *, group: str, version: str, control: int, sender: str,
              receiver: str) -> str:
    body = [f"ST*{segments[0]}*0001*{version}", *segments[1:]]
    body.append(f"SE*{len(body) + 1}*0001")
    head = [f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*261202*0900*^*00501*"
            f"{control:09d}*0*T*:",
            f"GS*{group}*{sender}*{receiver}*20261202*0900*{control}*X*{version}"]
    tail = [f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "~\n".join(head + body + tail) + "~\n"


def _sender_receiver(segs):
    isa = segs[0]
    return isa[8].strip(), isa[6].strip()  # the answer goes from the receiver back to the submitter


def answer_999(text_837: str, *, reject: bool = False, errors=(("HI", "21", "2300", "3"),),
               control: int = 901) -> str:
    segs = _segments(text_837)
    gs = next(s for s in segs if s[0] == "GS")
    st = next(s for s in segs if s[0] == "ST")
    sender, receiver = _sender_receiver(segs)
    lines = ["999", f"AK1*HC*{gs[6]}*{gs[8]}", f"AK2*837*{st[2]}*{st[3]}"]
    if reject:
        lines += [f"IK3*{seg}*{position}*{loop}*{code}" for seg, position, loop, code in errors]
        lines += ["IK5*R*I5", "AK9*R*1*1*0"]
    else:
        lines += ["IK5*A", "AK9*A*1*1*1"]
    return _envelope(lines, group="FA", version="005010X231A1", control=control, sender=sender,
                     receiver=receiver)


def answer_277ca(text_837: str, *, rejected: dict | None = None, control: int = 902,
                 name_batch: bool = True) -> str:
    """A 277CA for every claim of the file: A1:20 accepted, or A7 with the status and entity given."""
    rejected = rejected or {}
    segs = _segments(text_837)
    bht = next(s for s in segs if s[0] == "BHT")
    sender, receiver = _sender_receiver(segs)
    out = ["277", "BHT*0085*08*ACK1*20261202*0900*TH", "HL*1**20*1",
           f"NM1*PR*2*EXAMPLE CLEARINGHOUSE*****46*{sender}", "TRN*1*CH0001", "DTP*050*D8*20261202",
           "DTP*009*D8*20261202", "HL*2*1*21*1", f"NM1*41*2*SUBMITTER*****46*{receiver}"]
    if name_batch:
        out.append(f"TRN*2*{bht[3]}")
    out += ["STC*A1:19:PR*20261202*WQ*0", "HL*3*2*19*1"]
    hl = provider_hl = 3
    person = None
    for seg in segs:
        if seg[0] == "NM1" and seg[1] == "85":
            if out[-1] != "HL*3*2*19*1":  # the first provider uses HL 3, the next ones their own
                hl += 1
                provider_hl = hl
                out.append(f"HL*{hl}*2*19*1")
            out += [f"NM1*85*2*{seg[3]}*****XX*{seg[9]}", "TRN*1*0", "STC*A1:19:85**WQ*0"]
        elif seg[0] == "NM1" and seg[1] in ("IL", "QC"):
            person = seg
        elif seg[0] == "CLM":
            hl += 1
            out += [f"HL*{hl}*{provider_hl}*PT", f"NM1*QC*1*{person[3]}*{person[4]}****MI*M{hl}",
                    f"TRN*2*{seg[1]}"]
            if seg[1] in rejected:
                status, entity = rejected[seg[1]]
                out.append(f"STC*A7:{status}:{entity}*20261202*U*{seg[2]}")
            else:
                out += [f"STC*A1:20:PR*20261202*WQ*{seg[2]}", f"REF*1K*PAYER{hl:05d}"]
            out.append("DTP*472*D8*20261101")
    return _envelope(out, group="HN", version="005010X214", control=control, sender=sender,
                     receiver=receiver)
