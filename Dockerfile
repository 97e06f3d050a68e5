# mockserver as a container: the three APIs on port 8000, for local use and as a CI service.
#
#   docker build -t mockserver .
#   docker run --rm -p 127.0.0.1:8000:8000 -e MOCKSERVER_ADMIN_TOKEN=change-me mockserver
#
# Stage 1 builds the wheel from this checkout (specs/, schemas/ and scenarios/ go inside it); stage 2
# installs that wheel and the pinned dependency tree, and nothing else, and runs as an unprivileged user.
# The start command (ENTRYPOINT + CMD: `mockserver serve`) is exactly what tests/test_wheel.py runs against the
# installed wheel, with the HEALTHCHECK below, so CI exercises both although no container engine runs there.
# Arguments after the image name replace CMD: `docker run mockserver serve --seed 7`, `docker run mockserver --version`.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY mockserver ./mockserver
COPY specs ./specs
COPY schemas ./schemas
COPY scenarios ./scenarios
RUN pip install --no-cache-dir --disable-pip-version-check "$(grep '^hatchling==' requirements.lock)" \
 && pip wheel --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation -w /dist .

FROM python:3.11-slim
COPY --from=build /dist/ /tmp/dist/
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.lock /tmp/dist/*.whl \
 && rm -rf /tmp/dist /tmp/requirements.lock \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin mockserver
USER mockserver
WORKDIR /home/mockserver

# Inside a container the server must listen on every interface to be reachable through a published port.
# Off loopback the admin API (/__admin/, the health check included) needs a token: pass MOCKSERVER_ADMIN_TOKEN
# at run time (docker run -e, compose `environment:`); it is never baked into the image.
ENV MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8000 \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:%s/__admin/health' % os.environ.get('MOCKSERVER_PORT', '8000'), headers={'Authorization': 'Bearer %s' % os.environ.get('MOCKSERVER_ADMIN_TOKEN', '')}), timeout=2)"]
ENTRYPOINT ["mockserver"]
CMD ["serve"]
