# Kit label, 62 x 29 mm: on the bag or box that holds a beneficiary's kit
# (device, SIM card, accessories). Names nobody: the kit's tag only.
title   Étiquette kit 62 × 29 mm
size    62 29
for     K
default K
media   Custom.62x29mm
qr      1.5 3 23
ec      auto
text    26 3 34.5 11 bold {tag}
text    26 9 34.5 8 normal Kit d'équipement
text    26 13 34.5 7 normal Remise le {event_date}
text    26 16.7 34.5 7 normal {event_place}
