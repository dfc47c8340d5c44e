# Yalu in a container: the `yalu` console script is the entry point, `yalu bot` the default command.
#   docker build -t yalu .
#   docker run --rm -v yalu-data:/data yalu ask "What did Xi write to Kim in September 2023?"
# compose.yaml runs the bot beside a Chroma server made from this same image (`chroma run`).

FROM python:3.12-slim AS wheel
WORKDIR /src
COPY . .
# A wheel, as `pip install .` builds it: the seed articles and prompts go in as package data (setup.py).
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    YALU_DATA_DIR=/data \
    HOME=/home/yalu
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --home-dir /home/yalu --uid 1000 yalu \
    && mkdir /data /chroma && chown yalu /data /chroma   # a new named volume takes these owners
USER yalu
WORKDIR /home/yalu
# The index, the knowledge folder (seeded on first start) and the bot's state: keep them on a volume.
VOLUME /data
ENTRYPOINT ["yalu"]
CMD ["bot"]
