#!/usr/bin/env bash
# Amazon S3 with CloudFront: build for the public address, then upload the hashed assets first and
# the pages last, so no page ever links an asset that is not there yet. Old assets are kept (pages
# cached elsewhere may still use them). Usage: hosting/s3-upload.sh BUCKET DISTRIBUTION_ID
# Set PREFIX (default kursk) and BASE_URL (default https://example.org/$PREFIX/) as needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bucket=${1:?usage: hosting/s3-upload.sh BUCKET DISTRIBUTION_ID}
dist=${2:?usage: hosting/s3-upload.sh BUCKET DISTRIBUTION_ID}
prefix=${PREFIX:-kursk}
python build.py build --base-url "${BASE_URL:-https://example.org/$prefix/}"
aws s3 sync output/assets "s3://$bucket/$prefix/assets" \
    --cache-control "public, max-age=31536000, immutable"
aws s3 cp output/feed.xml "s3://$bucket/$prefix/feed.xml" \
    --content-type "application/atom+xml" --cache-control "public, max-age=300"
aws s3 sync output "s3://$bucket/$prefix" --exclude "assets/*" --exclude "feed.xml" \
    --cache-control "public, max-age=300"
aws cloudfront create-invalidation --distribution-id "$dist" \
    --paths "/$prefix/" "/$prefix/index.html" "/$prefix/feed.xml"
