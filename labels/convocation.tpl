# Beneficiary convocation card, 85 x 54 mm (credit-card size): the QR code
# of the B- tag, the first name only, the date and place of the
# distribution. The person shows it at the desk; nothing else about them
# is printed.
title   Carte de convocation 85 × 54 mm
size    85 54
for     B
default B
media   Custom.85x54mm
qr      3 5 36
ec      auto
text    3 43 36 10 bold {tag}
text    42 6 40 11 bold Convocation
text    42 13 40 10 normal Bonjour {first_name},
text    42 20 40 8 normal votre matériel vous attend
text    42 25 40 8 bold le {event_date}
text    42 30 40 8 normal {event_place}
text    42 40 40 7 normal Présentez cette carte
text    42 44 40 7 normal à l'accueil.
