# SIM card label, 50 x 25 mm: for the card holder or its envelope.
title   Étiquette carte SIM 50 × 25 mm
size    50 25
for     S
default S
media   Custom.50x25mm
qr      1.5 2 21
ec      auto
text    23.5 2.5 25 9 bold {tag}
text    23.5 7.5 25 7 normal {operator}
text    23.5 11.2 25 7 normal {msisdn}
text    23.5 14.9 25 5.5 normal ICCID {iccid}
text    23.5 18.6 25 6 normal {plan_gb} Go / mois
