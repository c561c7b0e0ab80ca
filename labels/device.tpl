# Device asset label, 62 x 29 mm: thermal roll (Brother QL DK-22205 cut to
# length, Zebra 2.4" roll). Content stays 3 mm from the top and bottom
# edges, which a Brother QL cannot print.
title   Étiquette matériel 62 × 29 mm
size    62 29
for     D
default D
media   Custom.62x29mm
qr      1.5 3 23
ec      auto
text    26 3 34.5 11 bold {tag}
text    26 8.2 34.5 7 normal {kind} {brand?} {model?}
text    26 11.9 34.5 7 normal {ram_gb} Go · {storage_gb} Go
text    26 15.6 34.5 7 normal Grade {grade}
text    26 19.3 34.5 7 normal Garantie jusqu'au {warranty_until}
text    26 23 34.5 6 normal {supplier}
