#!/usr/bin/env bash
# Amazon S3 with CloudFront: build for the public address, then upload the hashed assets first and
# the pages last, so no page ever links an asset that is not there yet. Old assets are kept (pages
# cached elsewhere may still use them). Keep this file anywhere and run it in the explainer's folder
# (the one holding site.yaml), in this repository or in one started with `explainer init`:
#   path/to/s3-upload.sh BUCKET DISTRIBUTION_ID BASE_URL
# BASE_URL is the site's public address, ending in /: its path is the folder in the bucket
# (https://example.org/bridge-closure/ → s3://BUCKET/bridge-closure/; https://bridge.example.org/ →
# the bucket's root). PYTHON names the interpreter the generator is installed in (default python3;
# in this repository .venv/bin/python).
set -euo pipefail
usage="usage: s3-upload.sh BUCKET DISTRIBUTION_ID BASE_URL (run it in the folder holding site.yaml)"
bucket=${1:?$usage}
dist=${2:?$usage}
base_url=${3:?$usage}
if [ ! -f site.yaml ]; then
  echo "error: no site.yaml in $PWD; $usage" >&2
  exit 2
fi
case $base_url in
  http://*/ | https://*/) ;;
  *) echo "error: BASE_URL must be the site's address ending in /, e.g. https://example.org/story/" >&2; exit 2 ;;
esac
path=${base_url#*://*/}  # what follows the host: "bridge-closure/", or nothing at the root
prefix=${path%/}
dest="s3://$bucket${prefix:+/$prefix}"
root="/${prefix:+$prefix/}"
"${PYTHON:-python3}" -m explainer build --base-url "$base_url"
aws s3 sync output/assets "$dest/assets" \
    --cache-control "public, max-age=31536000, immutable"
aws s3 cp output/feed.xml "$dest/feed.xml" \
    --content-type "application/atom+xml" --cache-control "public, max-age=300"
aws s3 sync output "$dest" --exclude "assets/*" --exclude "feed.xml" \
    --cache-control "public, max-age=300"
aws cloudfront create-invalidation --distribution-id "$dist" \
    --paths "$root" "${root}index.html" "${root}feed.xml"
