# Location label, 62 x 29 mm: on a shelf, a cage or a room door, scanned
# when units are moved there.
title   Étiquette emplacement 62 × 29 mm
size    62 29
for     L
default L
media   Custom.62x29mm
qr      1.5 3 23
ec      auto
text    26 3 34.5 11 bold {tag}
text    26 9 34.5 9 bold {name}
text    26 14 34.5 7 normal {commune}
text    26 17.7 34.5 7 normal {address?}
