"""Answer lines of real modems and what the AT parsers make of them, shared by the
parser tests and the parsers' fuzzing."""

from __future__ import annotations

from modem_lines import PDU_1, PDU_2

NEW_MESSAGE_NOTICES = [
    ('+CMTI: "SM",3', ("SM", 3)),
    ('+CMTI: "ME", 12', ("ME", 12)),
    ("+CMTI: SM,1", ("SM", 1)),
]
SUBMIT_REFERENCES = [("+CMGS: 12", 12), ("+CMGS: 0", 0), ("+CMGS:255", 255)]
SIGNAL_QUALITIES = [
    ("+CSQ: 21,99", 21),
    ("+CSQ: 0,0", 0),
    ("+CSQ: 31,0", 31),
    ("+CSQ: 99,99", None),
]
CALLER_LINES = [
    ('+CLIP: "+33612345678",145,"",0,"",0', "+33612345678"),  # SIMCom, Quectel
    ('+CLIP: "0612345678",129,"",0,"",0', "0612345678"),
    ('+CLIP: "82882690",129,,,,0', "82882690"),  # Huawei MU509 §10.4
    ('+CLIP: "+33612345678",145', "+33612345678"),  # no optional fields
    ('+CLIP: "",128,"",0,"",1', None),  # withheld by the caller
    ('+CLIP: "",128,,,,1', None),
    ('+CLIP: "",128,,,,2', None),  # not available on the network
    ('+CLIP: "+33612345678",145,,,,2', None),
]
REGISTRATIONS = [
    ("+CREG: 0,1", "home"),  # the AT+CREG? answer with <n> 0
    ('+CREG: 2,5,"1A2B","01C3D4E5",7', "roaming"),  # <n> 2: location and access technology
    ("+CREG: 1,2", "searching"),
    ("+CREG: 0,3", "denied"),
    ("+CREG: 0,0", "unregistered"),
    ("+CREG: 0,4", "unknown"),
    ("+CREG: 0,6", "home"),  # E-UTRAN, SMS only
    ("+CREG: 0,42", "unknown"),
]
OPERATORS = [
    ('+COPS: 0,0,"Orange F",7', "Orange F"),  # LTE modems add the access technology
    ('+COPS: 0,0,"CHINA MOBILE"', "CHINA MOBILE"),  # SIM800: GSM only, no <AcT>
    ('+COPS: 0,2,"20801",2', "20801"),  # a modem that kept the numeric format
    ("+COPS: 0", None),  # not registered
    ("+COPS: 2", None),
]
STORAGES = [
    ('+CPMS: "SM",3,30,"SM",3,30,"SM",3,30', (3, 30)),
    ('+CPMS: "ME",0,50,"SM",12,50,"SM",12,50', (0, 50)),
]
IDENTITIES = [
    (["867856030000001"], "867856030000001"),  # AT+CGSN, AT+CIMI, SIM800's AT+CCID
    (["+CGSN: 867856030000001"], "867856030000001"),
    (["+CGSN: IMEI867856030000001"], "867856030000001"),  # Motorola (Gammu's atgen.c)
    (['+CGSN: "867856030000001"'], "867856030000001"),
    (["+CCID: 8933150319000000001F"], "8933150319000000001"),  # padded to 20 with F
    (["+ICCID: 89331503190000000011"], "89331503190000000011"),  # SIMCom AT+CICCID
    (["+QCCID: 8933150319000000001F"], "8933150319000000001"),  # Quectel AT+QCCID
    (["x#z", "208150000000001"], "208150000000001"),  # line noise before it
]
OWN_NUMBERS = [
    (['+CNUM: "","+33612345678",145'], "+33612345678"),
    (['+CNUM: "Line 1","+33612345678",145,7,4'], "+33612345678"),  # with speed and service
    (['+CNUM: ,"0612345678",129'], "0612345678"),
    (['+CNUM: "","",129'], None),
    ([], None),  # the SIM keeps no number: OK alone
]
LISTING = ["+CMGL: 1,0,,24", PDU_1, "+CMGL: 4,1,,23", PDU_2]
READ_ANSWERS = [(["+CMGR: 0,,24", PDU_1], 0, PDU_1), (['+CMGR: 1,"",23', PDU_2], 1, PDU_2)]
