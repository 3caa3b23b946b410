#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the real app on the demo
# data: builds the app, builds the demo world in a temporary folder, opens
# each role's screens under Xvfb and captures the window.
# Needs: Xvfb, xwd (x11-apps), ImageMagick and xdotool (apt-get install xvfb x11-apps imagemagick xdotool).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BIN:-}" ]; then
  cargo build --release -p inwonercloud
  BIN=$PWD/target/release/inwonercloud
fi
OUT=${OUT:-$PWD/docs/screenshots}
CONVERT=/usr/bin/convert; [ -x "$CONVERT" ] || CONVERT=convert
TMP=$(mktemp -d)
export XDG_DATA_HOME=$TMP # the demo goes to $TMP/inwonercloud/demo
export XDG_CONFIG_HOME=$TMP/config # no remembered language, text size or colours
DISPLAY_NO=:77
Xvfb $DISPLAY_NO -screen 0 1280x900x24 >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null; rm -rf "$TMP"' EXIT
sleep 1
"$BIN" demo >/dev/null

shot() { # role screen file [extra args]
  local role=$1 screen=$2 file=$3; shift 3
  DISPLAY=$DISPLAY_NO "$BIN" app --demo "$role" --offline --screen "$screen" "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "${SHOT_WAIT:-4}"
  DISPLAY=$DISPLAY_NO xwd -root -silent | "$CONVERT" xwd:- -crop 1180x780+0+0 +repage "$OUT/$file.png"
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  echo "$file.png"
}

# The welcome screen: no vault in the default place yet.
DISPLAY=$DISPLAY_NO "$BIN" app --offline >/dev/null 2>&1 &
pid=$!
sleep "${SHOT_WAIT:-4}"
DISPLAY=$DISPLAY_NO xwd -root -silent | "$CONVERT" xwd:- -crop 1180x780+0+0 +repage "$OUT/welkom.png"
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo welkom.png

shot inwoner overzicht inwoner-overzicht
shot inwoner plan inwoner-plan
shot inwoner budget inwoner-budget
shot inwoner marktplaats inwoner-marktplaats
shot inwoner declaraties inwoner-declaraties
shot inwoner delen inwoner-delen
shot inwoner apparaten inwoner-apparaten
shot inwoner dagboek inwoner-dagboek
shot inwoner overzicht citizen-overview-en --lang en
shot begeleider clienten begeleider-clienten
shot begeleider plan begeleider-plan
shot gemeente inbox gemeente-inbox
shot gemeente budget gemeente-budget
shot gemeente clienten gemeente-budgethouders
shot zorgaanbieder overeenkomsten zorgaanbieder-overeenkomsten
shot zorgaanbieder catalogus zorgaanbieder-catalogus
shot gemeente verificatie gemeente-verificatie
shot inwoner overzicht inwoner-overzicht-150 --zoom 150
shot gezin plan gezin-plan
shot gezin budget gezin-budget
shot gezin declaraties gezin-declaraties
shot begeleider machtigingen begeleider-regisseur
shot gemeente wijkbudget gemeente-wijkbudget
shot zorgaanbieder wijkbudget zorgaanbieder-wijkbudget
shot vertegenwoordiger machtigingen vertegenwoordiger-machtigingen
shot mantelzorger overeenkomsten mantelzorger-overeenkomsten
# The high-contrast light theme.
shot inwoner budget inwoner-budget-contrast --theme hoog-contrast
# The screens with wide tables at 150 % text size as well.
shot inwoner budget inwoner-budget-150 --zoom 150
shot inwoner delen inwoner-delen-150 --zoom 150
shot inwoner machtigingen inwoner-machtigingen-150 --zoom 150
shot gemeente verificatie gemeente-verificatie-150 --zoom 150
shot gemeente wijkbudget gemeente-wijkbudget-150 --zoom 150

# An invite with its QR code: network on, click "Uitnodiging maken", scroll down.
DISPLAY=$DISPLAY_NO "$BIN" app --demo inwoner --screen delen >/dev/null 2>&1 &
pid=$!
sleep "${SHOT_WAIT:-4}"
sleep 3
DISPLAY=$DISPLAY_NO xdotool mousemove 248 551 click 1
sleep 3
DISPLAY=$DISPLAY_NO xdotool mousemove 600 600
for _ in 1 2 3 4 5 6; do DISPLAY=$DISPLAY_NO xdotool click 5; done
sleep 2
DISPLAY=$DISPLAY_NO xwd -root -silent | "$CONVERT" xwd:- -crop 1180x780+0+0 +repage "$OUT/inwoner-uitnodiging.png"
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
echo inwoner-uitnodiging.png
