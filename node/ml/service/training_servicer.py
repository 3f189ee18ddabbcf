"""The gRPC face of the ML node's training service (node/proto/gonka/training.proto).

StartTraining and StopTraining go through MlNode, which keeps the service state (TRAIN) in step;
the rest reads what the workers produced or re-executes segments, in worker threads. Failures
reach the caller as in servicer.py: one status code and a JSON body, counted per method.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import grpc

from node.ml.service.servicer import CountedServicer, streaming, unary
from node.ml.service.training import fetch_from
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc

CHUNK_BYTES = 1 << 20
EVENT_POLL_S = 0.2


class TrainingServicer(CountedServicer, pb_grpc.TrainingServicer):
    @unary
    async def StartTraining(self, request: pb.StartTrainingRequest, context: grpc.aio.ServicerContext) -> pb.TrainingStatus:
        return await self.node.start_training(request)

    @unary
    async def StopTraining(self, request: pb.StopTrainingRequest, context: grpc.aio.ServicerContext) -> pb.TrainingStatus:
        return await self.node.stop_training(request.task_id)

    @unary
    async def GetTrainingStatus(
        self, request: pb.TrainingStatusRequest, context: grpc.aio.ServicerContext
    ) -> pb.TrainingStatus:
        return await asyncio.to_thread(self.node.training.status, request.task_id)

    @streaming
    async def StreamTrainingEvents(
        self, request: pb.StreamTrainingEventsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TrainingEvent]:
        offset, index, ended = 0, 0, False
        while not ended:
            events, offset, ended = await asyncio.to_thread(self.node.training.events, request.task_id, offset)
            for event in events:
                if index >= request.from_index:
                    yield pb.TrainingEvent(index=index, json=json.dumps(event))
                index += 1
            if not ended:
                await asyncio.sleep(EVENT_POLL_S)

    @streaming
    async def FetchArtifact(
        self, request: pb.FetchArtifactRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ArtifactChunk]:
        data = await asyncio.to_thread(self.node.training.artifact, request.hash)
        for start in range(0, len(data), CHUNK_BYTES):
            yield pb.ArtifactChunk(data=data[start : start + CHUNK_BYTES])

    @unary
    async def ValidateTraining(
        self, request: pb.ValidateTrainingRequest, context: grpc.aio.ServicerContext
    ) -> pb.TrainingVerdict:
        fetch = fetch_from(request.artifact_source)
        return await asyncio.to_thread(self.node.training.validate, request, fetch)
