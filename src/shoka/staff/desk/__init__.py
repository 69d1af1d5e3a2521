"""The circulation desk (貸出・返却カウンター): patron look-up by card, checkout, check-in,
renewal, hold and transit slips, receipts. Views are thin; the rules are in
shoka.circulation and shoka.patrons."""
