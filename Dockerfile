# The Kohtaanto image: API, worker and migrations run from the same image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The pinned, hash-checked dependencies first (a layer that changes only with the lock),
# then the project without letting pip choose any other package.
COPY requirements-runtime.lock ./
RUN pip install --require-hashes --no-deps -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY src ./src
COPY ml ./ml
COPY search ./search
COPY jobs ./jobs
COPY babel.cfg ./
COPY scripts/catalogs ./scripts/catalogs
# The translation catalogs, compiled once here rather than at every start.
RUN PYBABEL=pybabel scripts/catalogs
RUN pip install --no-deps . && pip check \
    && useradd --system --home /app kohtaanto && mkdir -p /app/var && chown kohtaanto /app/var
USER kohtaanto
ENV KOHTAANTO_VAR_DIR=/app/var
EXPOSE 8000
CMD ["kohtaanto", "serve", "--host", "0.0.0.0", "--port", "8000"]
