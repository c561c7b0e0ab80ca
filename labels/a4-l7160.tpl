# A4 sheet of 21 labels (3 x 7, 63.5 x 38.1 mm each, Avery L7160 / J8160
# geometry) for office printers: any tag. Lines whose fields a tag does
# not have are left out, so devices, SIM cards, kits and locations share a
# sheet. Print at 100 % ("actual size"), never "fit to page".
title   Planche A4 de 21 étiquettes (Avery L7160)
size    63.5 38.1
page    210 297
grid    3 7
pitch   66.04 38.1
origin  7.21 15.15
for     D S K L
media   A4
qr      2 5.05 28
ec      auto
text    31.5 5 30 9 bold {tag}
text    31.5 10.5 30 7 normal {kind} {brand?} {model?}
text    31.5 14.2 30 7 normal {ram_gb} Go · {storage_gb} Go
text    31.5 17.9 30 7 normal Grade {grade}
text    31.5 10.5 30 7 normal {operator}
text    31.5 14.2 30 7 normal {msisdn}
text    31.5 10.5 30 8 bold {name}
text    31.5 14.2 30 7 normal {commune}
