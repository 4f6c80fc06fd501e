# One image for every service; SERVICE picks which one runs.
#   docker build -t puente .
#   docker run -e SERVICE=intake -e DATABASE_URL=... -e KAFKA_BROKERS=... puente
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node tools/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
USER node
CMD ["sh", "-c", "exec node --enable-source-maps dist/services/${SERVICE:?set SERVICE to intake, screening, referral-routing, reception or reintegration}/src/main.js"]
